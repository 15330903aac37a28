-- Marks keys as seen in the current generation and sets each touched
-- hash's expiry once. ARGV[1] prefix, ARGV[2] generation, ARGV[3] bucket
-- bits, ARGV[4] bytes implied by the bucket, ARGV[5] expiry (ms since the
-- epoch), ARGV[6..] raw 16-byte keys.
local prefix, gen = ARGV[1], tonumber(ARGV[2])
local bits, skip = tonumber(ARGV[3]), tonumber(ARGV[4])
local divisor = 2 ^ (16 - bits)
local base = prefix .. gen .. ':'
local touched = {}
for i = 6, #ARGV do
  local key = ARGV[i]
  local bucket = 0
  if bits > 0 then
    bucket = math.floor((string.byte(key, 1) * 256 + string.byte(key, 2)) / divisor)
  end
  local name = base .. string.format('%x', bucket)
  redis.call('HSET', name, string.sub(key, skip + 1), '1')
  touched[name] = true
end
for name in pairs(touched) do
  redis.call('PEXPIREAT', name, ARGV[5])
end
return 0
