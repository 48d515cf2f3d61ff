-- Creates a versioned value if it does not exist. KEYS[1] the value's hash; ARGV[1] the value.
-- A deleted key left a tombstone with its last version, so versions never repeat (V2).
-- Returns the new version, or 0 when the key exists.
if redis.call('HEXISTS', KEYS[1], 'value') == 1 then
  return 0
end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0') + 1
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'version', string.format('%.0f', version))
return version
