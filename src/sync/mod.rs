//! Syncing the workspace with servers: Parlant (journeys, through its REST API and Journey
//! Studio's graph module) and Sim (workflows, v2 API). The outbox engine in `engine` makes pushes
//! durable, retried and idempotent; `secrets` keeps API keys out of files. See
//! docs/store-and-sync.md.

pub mod chat;
pub mod engine;
pub mod http;
pub mod mermaid;
pub mod outcome;
pub mod parlant;
pub mod parlant_entities;
pub mod parlant_sync;
pub mod sdk_export;
pub mod secrets;
pub mod sim;
pub mod sim_sync;
pub mod sse;
