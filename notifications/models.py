"""notifications: models come with their issue."""
