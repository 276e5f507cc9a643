"""A team's tags and the tags of its uploads: ``services`` changes them,
``selectors`` reads them."""
