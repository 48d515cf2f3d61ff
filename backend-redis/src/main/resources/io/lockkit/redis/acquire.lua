-- Takes a lock if nobody holds it, with a fencing token from one store-wide counter (L1, L2).
-- KEYS[1] the lock, KEYS[2] the token counter; ARGV[1] the owner id, ARGV[2] the lease in ms.
-- Returns {1, token} when granted, {0, pttl of the holder} when held.
-- The token is max(counter + 1, server time in microseconds): it keeps increasing even after a
-- restart that lost the counter, as long as the server clock does not step back.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('PTTL', KEYS[1])}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local token = math.max(tonumber(redis.call('GET', KEYS[2]) or '0') + 1, now)
-- %.0f, not tostring: Lua would print a 16-digit number as 1.7e+15 and lose digits.
redis.call('SET', KEYS[2], string.format('%.0f', token))
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1, token}
