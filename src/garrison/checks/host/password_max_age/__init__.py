"""Maximum password age."""
