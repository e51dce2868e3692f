"""Fixtures for the AWS provider tests: one loopback AWS server per module, reset per test."""

from __future__ import annotations

import pytest

from tests.support.aws_fake import AwsFake, isolate_aws_env


@pytest.fixture(scope="module")
def server():
    server = AwsFake()
    yield server
    server.close()


@pytest.fixture
def fake(server, monkeypatch):
    isolate_aws_env(monkeypatch)
    server.reset()
    return server
