"""schemathesis hooks for tools/schemathesis_check.py.

daphne (Twisted) parses multipart bodies itself before Django sees them and
answers a multipart body with no parts at all with a bare ``400`` (no content
type). That is the server, not the API, so such bodies are not generated.
"""

import schemathesis


def _no_parts(body) -> bool:
    if body is None:
        return True
    if isinstance(body, dict):
        return all(value is None or value == [] for value in body.values())
    return False


@schemathesis.hook
def filter_case(ctx, case) -> bool:
    return not ("multipart" in (case.media_type or "") and _no_parts(case.body))
