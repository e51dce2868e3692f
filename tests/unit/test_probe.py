"""The Connections page's "Test": one real call, bounded in time, AWS through its own probe."""

from __future__ import annotations

from playground.connections import Connection, Kind
from playground.probe import probe
from tests.support.aws_fake import converse_reply
from tests.support.openai_fake import Reply


def test_openai_compatible_probe_sends_one_token_request(openai_fake):
    openai_fake.queue(Reply(reasoning="", answer="OK", dialect="plain"))
    result = probe(Connection("x", Kind.OPENAI, base_url=openai_fake.url))
    assert result.ok and "answered" in result.message
    assert openai_fake.requests[-1]["body"]["max_tokens"] == 1


def test_a_stalled_host_is_given_up_on_at_the_timeout(openai_fake):
    openai_fake.queue(Reply(reasoning="", answer="never", dialect="plain", first_byte_delay_s=5.0))
    result = probe(Connection("x", Kind.OPENAI, base_url=openai_fake.url), timeout_s=1.0)
    assert not result.ok and "No answer within 1 s" in result.message
    assert result.latency_s < 4.0  # well before the host's 5 s reply: the wait was cut, not sat out


def test_aws_connections_use_the_aws_probe_without_retries(fake):
    fake.push("converse", converse_reply(text="OK"))
    result = probe(Connection("b", Kind.BEDROCK_CONVERSE, region="us-west-2", endpoint_url=fake.url))
    assert result.ok and "Connected" in result.message
    assert [r.route for r in fake.requests] == ["converse"]  # no model listing, no streaming call
