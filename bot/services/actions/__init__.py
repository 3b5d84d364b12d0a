"""Actions: marked done by their owner, verified or rejected, snoozed, reviewed."""
