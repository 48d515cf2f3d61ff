-- Sets the lock's time to live to ARGV[2] ms only if this owner still holds it (L3).
-- KEYS[1] the lock; ARGV[1] the owner id, ARGV[2] the lease in ms.
-- Returns 1 when extended, 0 when the lock is no longer this owner's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
