-- Marks keys as seen in the current generation and sets each touched
-- hash's expiry once. ARGV[1] prefix, ARGV[2] generation, ARGV[3] bucket
-- bits, ARGV[4] bytes implied by the bucket, ARGV[5] expiry (ms since the
-- epoch), ARGV[6..] raw 16-byte keys. Returns the most keys a touched hash
-- now holds, so that the gateway can tell when its buckets are too few.
local prefix, gen = ARGV[1], tonumber(ARGV[2])
local bits, skip = tonumber(ARGV[3]), tonumber(ARGV[4])
-- The bucket is the key's top `bits` bits (up to 24), from its first three bytes.
local divisor = 2 ^ (24 - bits)
local base = prefix .. gen .. ':'
local touched = {}
for i = 6, #ARGV do
  local key = ARGV[i]
  local bucket = 0
  if bits > 0 then
    local b1, b2, b3 = string.byte(key, 1, 3)
    bucket = math.floor((b1 * 65536 + b2 * 256 + b3) / divisor)
  end
  local name = base .. string.format('%x', bucket)
  redis.call('HSET', name, string.sub(key, skip + 1), '1')
  touched[name] = true
end
local largest = 0
for name in pairs(touched) do
  redis.call('PEXPIREAT', name, ARGV[5])
  local size = redis.call('HLEN', name)
  if size > largest then
    largest = size
  end
end
return largest
