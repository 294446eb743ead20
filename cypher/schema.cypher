// Constraints and indexes, created before any load (MERGE on an unconstrained key is ~15x slower).
CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT device_id IF NOT EXISTS FOR (n:Device) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT ip_id IF NOT EXISTS FOR (n:IP) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT address_id IF NOT EXISTS FOR (n:Address) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT instrument_id IF NOT EXISTS FOR (n:PaymentInstrument) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT promo_id IF NOT EXISTS FOR (n:PromoCode) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT order_id IF NOT EXISTS FOR (n:Order) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT load_run_id IF NOT EXISTS FOR (n:LoadRun) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT ring_id IF NOT EXISTS FOR (n:Ring) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT detection_run_id IF NOT EXISTS FOR (n:DetectionRun) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT weekly_run_id IF NOT EXISTS FOR (n:WeeklyRun) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT case_event_id IF NOT EXISTS FOR (n:CaseEvent) REQUIRE n.id IS UNIQUE;
CREATE INDEX instrument_fingerprint IF NOT EXISTS FOR (n:PaymentInstrument) ON (n.fingerprint);
CREATE INDEX ip_subnet IF NOT EXISTS FOR (n:IP) ON (n.subnet);
CREATE INDEX address_building IF NOT EXISTS FOR (n:Address) ON (n.building);
CREATE INDEX order_created_at IF NOT EXISTS FOR (n:Order) ON (n.created_at)
