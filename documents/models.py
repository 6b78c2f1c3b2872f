"""documents: models come with their issue."""
