"""`python -m huifang.app.rasa_launcher run …` (in the Rasa virtualenv): start the Rasa server
the way our stack does, after the secret check every Huifang process makes.

HUIFANG_RASA_TOKEN becomes Rasa's --auth-token inside this process, so the token is never on
a command line; endpoints.yml reads HUIFANG_ACTION_SERVER_TOKEN from the environment. Action
server answers are validated against a schema checked once (huifang/app/rasa_action_results.py),
stored events are turned back into objects from a table (huifang/app/rasa_event_types.py), a
message's sparse features are joined in one stack (huifang/app/rasa_feature_combination.py)
and the connections to the action server are kept open (huifang/app/rasa_action_connections.py).
Standard library + Rasa only: the rest of huifang is not installed in this virtualenv.
"""

from __future__ import annotations

import os
import sys

from huifang.secret_rules import PROCESS_SECRETS, dev_mode_from_environment, enforce, variable


def rasa_arguments(argv: list[str], token: str) -> list[str]:
    """The token as one word with its option: a token may start with "-" (one in 64 made by
    `secrets.token_urlsafe`), which argparse reads as an option when it stands alone."""
    return [*argv, f"--auth-token={token}"]


def speed_up_rasa() -> None:
    """Our replacements of Rasa internals, each with its own module and a test that it answers
    as Rasa's own does (docs/performance.md); the profiling probe applies them too."""
    from huifang.app.rasa_action_connections import keep_action_server_connections_open
    from huifang.app.rasa_action_results import validate_each_answer_against_a_checked_schema
    from huifang.app.rasa_event_types import resolve_event_types_from_a_table
    from huifang.app.rasa_feature_combination import combine_sparse_features_in_one_stack

    validate_each_answer_against_a_checked_schema()
    resolve_event_types_from_a_table()
    combine_sparse_features_in_one_stack()
    keep_action_server_connections_open()


def main(argv: list[str]) -> None:
    secrets = {name: os.environ.get(variable(name)) for name in PROCESS_SECRETS["rasa"]}
    enforce("rasa", secrets, dev_mode_from_environment())
    from rasa.__main__ import main as rasa_main

    speed_up_rasa()
    sys.argv = ["rasa", *rasa_arguments(argv, secrets["rasa_token"] or "")]
    rasa_main()


if __name__ == "__main__":
    main(sys.argv[1:])
