"""SSH authentication attempts per connection."""
