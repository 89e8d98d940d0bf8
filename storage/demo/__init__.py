"""The demo store generator (`advisor seed`)."""
