"""Shared fixtures: loopback servers speaking the real protocols."""

from __future__ import annotations

import pytest

from tests.support.openai_fake import FakeOpenAIServer


@pytest.fixture
def openai_fake():
    with FakeOpenAIServer() as server:
        yield server
