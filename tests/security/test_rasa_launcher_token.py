"""The Rasa server's token reaches Rasa's own argument parser whole, whatever it starts with:
`secrets.token_urlsafe` (what `huifang run` makes in dev mode, and what our secret hint tells
operators to run) begins with "-" once in 64 tokens, and a token given as a separate word
after `--auth-token` was then read as an option and Rasa refused to start."""

from __future__ import annotations

import json

import pytest

from tests.support.rasa_probe import run_in_rasa_venv

pytestmark = pytest.mark.rasa

PARSE = """
import json, sys
from rasa.__main__ import create_argument_parser
from huifang.app.rasa_launcher import rasa_arguments
tokens = json.loads(sys.argv[1])
parser = create_argument_parser()
print(json.dumps([parser.parse_args(rasa_arguments(["run", "--enable-api"], t)).auth_token
                  for t in tokens]))
"""
TOKENS = ["-rW3xPq9ZkT2vLmN8bC4dF6gH1jK5sA7", "--enable-api-like-token_0123456789",
          "plainTokenWithoutDashes0123456789", "with=equals-sign_0123456789abcdef"]


def test_every_token_reaches_rasa_whole() -> None:
    assert run_in_rasa_venv(PARSE, json.dumps(TOKENS)) == TOKENS
