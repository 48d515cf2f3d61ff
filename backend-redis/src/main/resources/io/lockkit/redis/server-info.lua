-- INFO of one section, run as a script so that it reaches the node that holds lockkit's keys.
-- KEYS[1] any lockkit key (routing only); ARGV[1] the section.
return redis.call('INFO', ARGV[1])
