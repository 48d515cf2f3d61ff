-- Whether this client's user may use the release channel, which a waiting acquire subscribes to
-- and a release publishes on: the channel's ACL covers both. KEYS[1] the release channel.
-- Publishes an empty message, which names no key (a key is 1 to 256 bytes), so no waiter takes it.
-- Returns the refusal ('' when allowed).
local published = redis.pcall('PUBLISH', KEYS[1], '')
if type(published) == 'table' and published.err then
  return published.err
end
return ''
