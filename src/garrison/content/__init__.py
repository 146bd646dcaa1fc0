"""Built-in content shipped with Garrison (processing pipelines), read as package data."""
