import { waitFor } from '../../testkit/wait-for.js';
/**
 * The change feed only returns what transactions below its snapshot's
 * xmin wrote, and xmin is the whole cluster's (other tests write there
 * too): waits until it has passed every write of the campaign.
 */
export async function waitFeedSettled(pool, campaignId, timeoutMs = 60_000) {
    await waitFor(`the cluster xmin to pass the writes of ${campaignId}`, async () => {
        const { rows } = await pool.query(`SELECT pg_snapshot_xmin(pg_current_snapshot()) >
                (SELECT max(updated_xid) FROM billing_hourly WHERE campaign_id = $1) AS done`, [campaignId]);
        return rows[0]?.done === true;
    }, timeoutMs, 50);
}
//# sourceMappingURL=billing-feed.js.map