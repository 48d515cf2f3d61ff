-- Deletes the lock only if this owner still holds it (L3), and tells waiters (L7).
-- KEYS[1] the lock, KEYS[2] the release channel (passed as a key so that the client's NameMapper
-- maps it as it maps the topic's name; it has the same hash tag, so the same cluster slot);
-- ARGV[1] the owner id, ARGV[2] the message (the released key).
-- Returns 1 when released, 0 when the lock is no longer this owner's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  -- The lock is gone whatever the wake-up does: a publish refused (a user without rights on the
  -- channel, Redis 7's default for a new ACL user) must not turn a done release into an error.
  redis.pcall('PUBLISH', KEYS[2], ARGV[2])
  return 1
end
return 0
