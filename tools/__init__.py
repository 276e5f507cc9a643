"""Set-up and maintenance tools, run from the repository root as modules
(``python -m tools.convert_weights``)."""
