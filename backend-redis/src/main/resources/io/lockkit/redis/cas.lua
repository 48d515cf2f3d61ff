-- Compare-and-set, optionally fenced (V1, V3). KEYS[1] the value's hash;
-- ARGV[1] the expected version, ARGV[2] the value, ARGV[3] the fencing token ('0' = not fenced).
-- Returns {1, new version}, {0} on a version conflict or a deleted key, {-1, highest fence} when a
-- larger token already wrote the key (checked first: the fence survives delete).
-- Tokens are compared as decimal strings, exactly, without going through Lua's doubles.
local function less(a, b)
  return #a < #b or (#a == #b and a < b)
end
local h = redis.call('HMGET', KEYS[1], 'version', 'fence')
local fence = h[2] or '0'
if ARGV[3] ~= '0' and less(ARGV[3], fence) then
  return {-1, fence}
end
if h[1] ~= ARGV[1] or redis.call('HEXISTS', KEYS[1], 'value') == 0 then
  return {0}
end
local version = tonumber(h[1]) + 1
redis.call('HSET', KEYS[1], 'value', ARGV[2], 'version', string.format('%.0f', version))
if less(fence, ARGV[3]) then
  redis.call('HSET', KEYS[1], 'fence', ARGV[3])
end
return {1, version}
