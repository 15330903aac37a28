-- Which of the given idempotency keys Redis has seen, in one round trip.
-- ARGV[1] hash name prefix, ARGV[2] current generation, ARGV[3] bucket
-- bits, ARGV[4] bytes of the key already implied by the bucket, ARGV[5]
-- the raw 16-byte keys end to end (one argument: cheaper to send and to
-- parse than one per key). Returns one '1' (seen) or '0' per key.
-- The hash names are built here rather than passed as KEYS: fine on one
-- Redis server, not on Redis Cluster.
local prefix, gen = ARGV[1], tonumber(ARGV[2])
local bits, skip = tonumber(ARGV[3]), tonumber(ARGV[4])
local packed = ARGV[5]
-- The bucket is the key's top `bits` bits (up to 24), from its first three bytes.
local divisor = 2 ^ (24 - bits)
local current, previous = prefix .. gen .. ':', prefix .. (gen - 1) .. ':'
local out = {}
-- Hash names per bucket, built once per call: Lua interns every string it
-- makes, so concatenating two names per key cost more than the lookups.
local names = {}
for n = 1, #packed / 16 do
  local at = (n - 1) * 16 + 1
  local bucket = 0
  if bits > 0 then
    local b1, b2, b3 = string.byte(packed, at, at + 2)
    bucket = math.floor((b1 * 65536 + b2 * 256 + b3) / divisor)
  end
  local pair = names[bucket]
  if pair == nil then
    local suffix = string.format('%x', bucket)
    pair = { current .. suffix, previous .. suffix }
    names[bucket] = pair
  end
  local field = string.sub(packed, at + skip, at + 15)
  if redis.call('HEXISTS', pair[1], field) == 1 or redis.call('HEXISTS', pair[2], field) == 1 then
    out[n] = '1'
  else
    out[n] = '0'
  end
end
return table.concat(out)
