-- Quotas count every request that is PENDING, APPROVED, PROVISIONING or READY, including those made before quotas
-- existed: this fills project_quota_holds from the history once, in the migration's transaction. From here on every
-- append that changes what a request holds also changes its row (src/commands/quota-ledger.ts). The sizes are the
-- catalogue's at the time of this migration (src/domain/vm-size.ts), which is what those requests were made with.
-- ON CONFLICT DO NOTHING: running it again adds nothing twice.
INSERT INTO "project_quota_holds" ("request_id", "tenant_id", "project_id", "size", "vcpus", "ram_gb", "disk_gb", "running")
SELECT c."stream_id"::uuid, c."tenant_id", (c."data"->>'projectId')::uuid, s.size, s.vcpus, s.ram_gb, s.disk_gb,
       EXISTS (SELECT 1 FROM "events" r WHERE r."stream_id" = c."stream_id" AND r."event_type" = 'VmRequestReady')
FROM "events" c
JOIN (VALUES ('S', 2, 4, 50), ('M', 4, 8, 100), ('L', 8, 16, 200), ('XL', 16, 32, 500))
  AS s(size, vcpus, ram_gb, disk_gb) ON s.size = c."data"->>'size'
WHERE c."stream_type" = 'VmRequest' AND c."event_type" = 'VmRequestCreated'
  AND NOT EXISTS (
    SELECT 1 FROM "events" e
    WHERE e."stream_id" = c."stream_id"
      AND e."event_type" IN ('VmRequestRejected', 'VmRequestCancelled', 'VmRequestProvisioningFailed'))
ON CONFLICT DO NOTHING;
