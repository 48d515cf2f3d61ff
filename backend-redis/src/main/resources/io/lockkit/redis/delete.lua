-- Deletes a versioned value if its version is ARGV[1], optionally fenced (V2, V3).
-- KEYS[1] the value's hash, KEYS[2] the token counter, KEYS[3] the store epoch;
-- ARGV[1] the expected version, ARGV[2] the fencing token ('0' = not fenced).
-- Keeps the version and max(fence, token) as a tombstone, so that neither goes back.
-- Returns {1} when deleted, {0} on a conflict or absence, {-1, highest fence} when a larger token
-- already wrote the key or the token is below the store epoch (checked first, as in cas.lua).
local function less(a, b)
  return #a < #b or (#a == #b and a < b)
end
local h = redis.call('HMGET', KEYS[1], 'version', 'fence')
local fence = h[2] or '0'
if ARGV[2] ~= '0' then
  if redis.call('EXISTS', KEYS[2]) == 0 then
    local time = redis.call('TIME')
    local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
    local epoch = string.format('%.0f', math.max(tonumber(redis.call('GET', KEYS[3]) or '0'), now))
    redis.call('SET', KEYS[3], epoch)
    redis.call('SET', KEYS[2], epoch)
  end
  local epoch = redis.call('GET', KEYS[3]) or '0'
  local floor = less(fence, epoch) and epoch or fence
  if less(ARGV[2], floor) then
    return {-1, floor}
  end
end
if h[1] ~= ARGV[1] or redis.call('HEXISTS', KEYS[1], 'value') == 0 then
  return {0}
end
redis.call('HDEL', KEYS[1], 'value')
if less(fence, ARGV[2]) then
  redis.call('HSET', KEYS[1], 'fence', ARGV[2])
end
return {1}
