-- Takes a lock if nobody holds it, with a fencing token from one store-wide counter (L1, L2).
-- KEYS[1] the lock, KEYS[2] the token counter, KEYS[3] the store epoch;
-- ARGV[1] the owner id, ARGV[2] the lease in ms.
-- Returns the token (> 0) when granted, -2 - the holder's PTTL (<= -1) when held: one integer, so
-- that no reply table is built here nor a list decoded by the client.
-- The token is max(counter + 1, server time in µs). When the counter is missing (first use, or a
-- restart or failover that lost it, and every fence with it), the store epoch is set to the server
-- time in µs and the counter restarts there: every token granted from now on is above the epoch,
-- and fenced writes below it are refused (V3, see cas.lua). Lua numbers are doubles, exact up to
-- 2^53; µs since 1970 are about 1.8e15.
-- Everything is read and checked first (a counter that is no number raises an error here, before any
-- write); then SET NX takes a free lock or finds it held. It is the script's first write, so a server
-- out of memory refuses it before anything is written, and a script that fails leaves no lock behind.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local counter = tonumber(redis.call('GET', KEYS[2]) or '-1')
local epoch = nil
if counter < 0 then
  epoch = math.max(tonumber(redis.call('GET', KEYS[3]) or '0'), now)
  counter = epoch
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return -2 - redis.call('PTTL', KEYS[1])
end
if epoch then
  redis.call('SET', KEYS[3], string.format('%.0f', epoch))
end
local token = math.max(counter + 1, now)
-- %.0f, not tostring: Lua would print a 16-digit number as 1.7e+15 and lose digits.
redis.call('SET', KEYS[2], string.format('%.0f', token))
return token
