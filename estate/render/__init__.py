"""Pages and text made from results: terminal lines, the comparison and sweep pages."""
