-- Reads a versioned value. KEYS[1] the value's hash.
-- Returns {value, version}, or nil when the key is absent or deleted (only a tombstone is left).
local r = redis.call('HMGET', KEYS[1], 'value', 'version')
if not r[1] then
  return nil
end
return {r[1], tonumber(r[2])}
