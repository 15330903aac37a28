-- Marks keys as seen in the current generation and sets the expiry of
-- each hash it creates. ARGV[1] prefix, ARGV[2] generation, ARGV[3] bucket
-- bits, ARGV[4] bytes implied by the bucket, ARGV[5] expiry (ms since the
-- epoch), ARGV[6] the raw 16-byte keys end to end. Returns the most keys
-- a touched hash now holds, so that the gateway can tell when its buckets
-- are too few.
local prefix, gen = ARGV[1], tonumber(ARGV[2])
local bits, skip = tonumber(ARGV[3]), tonumber(ARGV[4])
local packed = ARGV[6]
-- The bucket is the key's top `bits` bits (up to 24), from its first three bytes.
local divisor = 2 ^ (24 - bits)
local base = prefix .. gen .. ':'
-- Fields this call added, per hash it touched; hash names per bucket,
-- built once (Lua interns every string it makes).
local added, names = {}, {}
for n = 1, #packed / 16 do
  local at = (n - 1) * 16 + 1
  local bucket = 0
  if bits > 0 then
    local b1, b2, b3 = string.byte(packed, at, at + 2)
    bucket = math.floor((b1 * 65536 + b2 * 256 + b3) / divisor)
  end
  local name = names[bucket]
  if name == nil then
    name = base .. string.format('%x', bucket)
    names[bucket] = name
  end
  added[name] = (added[name] or 0) + redis.call('HSET', name, string.sub(packed, at + skip, at + 15), '1')
end
local largest = 0
for name, count in pairs(added) do
  local size = redis.call('HLEN', name)
  -- Every field is this call's: the hash is new. Its expiry is the
  -- generation's, so a hash that already existed already has it.
  if size == count then
    redis.call('PEXPIREAT', name, ARGV[5])
  end
  if size > largest then
    largest = size
  end
end
return largest
