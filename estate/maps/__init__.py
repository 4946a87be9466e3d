"""Interactive maps made from a results folder alone."""
