-- Deletes a versioned value if its version is ARGV[1]. KEYS[1] the value's hash.
-- Keeps the version and fence as a tombstone so that neither goes back (V2, V3).
-- Returns 1 when deleted, 0 on a conflict or absence.
if redis.call('HGET', KEYS[1], 'version') == ARGV[1] and redis.call('HEXISTS', KEYS[1], 'value') == 1 then
  redis.call('HDEL', KEYS[1], 'value')
  return 1
end
return 0
