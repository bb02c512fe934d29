//! The node's parts.
//!
//! - [`network`]: a node of a GridTrust network. Validators take turns authoring blocks (Aura, one
//!   slot each) and vote on finality (GRANDPA: a block is final once more than two thirds of them
//!   voted for it or a descendant); every node imports and checks every block against the same
//!   runtime and genesis, so a node with another genesis is another chain that no peer follows.
//! - [`dev`]: the dev chain: a block is sealed as soon as a transaction arrives and is final at
//!   once, with an Aura pre-digest so the runtime (the same as a network's) accepts it.

use std::{sync::Arc, time::Duration};

use gridtrust_runtime::{opaque::Block, Hash, RuntimeApi};
use sc_client_api::BlockBackend;
use sc_consensus_aura::{ImportQueueParams, SlotProportion, StartAuraParams};
use sc_consensus_grandpa::SharedVoterState;
use sc_service::{
    error::Error as ServiceError, Configuration, PartialComponents, TaskManager, WarpSyncConfig,
};
use sc_telemetry::{Telemetry, TelemetryWorker};
use sc_transaction_pool_api::OffchainTransactionPoolFactory;
use sp_consensus_aura::sr25519::AuthorityPair as AuraPair;

/// The node's client: the runtime always runs as Wasm, the same code on every node.
pub type Client = sc_service::TFullClient<
    Block,
    RuntimeApi,
    sc_executor::WasmExecutor<sp_io::SubstrateHostFunctions>,
>;
type Backend = sc_service::TFullBackend<Block>;
type SelectChain = sc_consensus::LongestChain<Backend, Block>;
type Pool = sc_transaction_pool::FullPool<Block, Client>;
type GrandpaImport = sc_consensus_grandpa::GrandpaBlockImport<Backend, Block, Client, SelectChain>;
type GrandpaLink = sc_consensus_grandpa::LinkHalf<Block, Client, SelectChain>;
/// The peer-to-peer stack (libp2p).
type Network = sc_network::NetworkWorker<Block, Hash>;

/// Blocks between the justifications GRANDPA keeps: proofs of finality a syncing node checks.
const JUSTIFICATION_PERIOD: u32 = 512;

/// The parts every node has, before its consensus.
struct Core {
    client: Arc<Client>,
    backend: Arc<Backend>,
    task_manager: TaskManager,
    keystore_container: sc_service::KeystoreContainer,
    select_chain: SelectChain,
    pool: Arc<Pool>,
    telemetry: Option<Telemetry>,
}

fn core(config: &Configuration) -> Result<Core, ServiceError> {
    let telemetry = config
        .telemetry_endpoints
        .clone()
        .filter(|endpoints| !endpoints.is_empty())
        .map(|endpoints| -> Result<_, sc_telemetry::Error> {
            let worker = TelemetryWorker::new(16)?;
            let telemetry = worker.handle().new_telemetry(endpoints);
            Ok((worker, telemetry))
        })
        .transpose()?;
    let executor = sc_service::new_wasm_executor::<sp_io::SubstrateHostFunctions>(&config.executor);
    let (client, backend, keystore_container, task_manager) =
        sc_service::new_full_parts::<Block, RuntimeApi, _>(
            config,
            telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
            executor,
        )?;
    let client = Arc::new(client);
    let telemetry = telemetry.map(|(worker, telemetry)| {
        task_manager
            .spawn_handle()
            .spawn("telemetry", None, worker.run());
        telemetry
    });
    let select_chain = sc_consensus::LongestChain::new(backend.clone());
    let pool = sc_transaction_pool::BasicPool::new_full(
        config.transaction_pool.clone(),
        config.role.is_authority().into(),
        config.prometheus_registry(),
        task_manager.spawn_essential_handle(),
        client.clone(),
    );
    Ok(Core {
        client,
        backend,
        task_manager,
        keystore_container,
        select_chain,
        pool,
        telemetry,
    })
}

/// What blocks carry besides transactions: the time, and on a network the Aura slot it falls in.
fn inherents(
    slot_duration: sp_consensus_aura::SlotDuration,
) -> (
    sp_consensus_aura::inherents::InherentDataProvider,
    sp_timestamp::InherentDataProvider,
) {
    let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
    let slot = sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
        *timestamp,
        slot_duration,
    );
    (slot, timestamp)
}

/// A network node's parts up to its import queue (also what `export-state` and `revert` need).
pub fn network_parts(
    config: &Configuration,
) -> Result<
    PartialComponents<
        Client,
        Backend,
        SelectChain,
        sc_consensus::DefaultImportQueue<Block>,
        Pool,
        (GrandpaImport, GrandpaLink, Option<Telemetry>),
    >,
    ServiceError,
> {
    let Core {
        client,
        backend,
        task_manager,
        keystore_container,
        select_chain,
        pool,
        telemetry,
    } = core(config)?;
    let (grandpa_import, grandpa_link) = sc_consensus_grandpa::block_import(
        client.clone(),
        JUSTIFICATION_PERIOD,
        &client,
        select_chain.clone(),
        telemetry.as_ref().map(Telemetry::handle),
    )?;
    let slot_duration = sc_consensus_aura::slot_duration(&*client)?;
    let import_queue =
        sc_consensus_aura::import_queue::<AuraPair, _, _, _, _, _>(ImportQueueParams {
            block_import: grandpa_import.clone(),
            justification_import: Some(Box::new(grandpa_import.clone())),
            client: client.clone(),
            create_inherent_data_providers: move |_, ()| async move { Ok(inherents(slot_duration)) },
            spawner: &task_manager.spawn_essential_handle(),
            registry: config.prometheus_registry(),
            check_for_equivocation: Default::default(),
            telemetry: telemetry.as_ref().map(Telemetry::handle),
            compatibility_mode: Default::default(),
        })
        .map_err::<ServiceError, _>(Into::into)?;
    Ok(PartialComponents {
        client,
        backend,
        task_manager,
        import_queue,
        keystore_container,
        select_chain,
        transaction_pool: pool,
        other: (grandpa_import, grandpa_link, telemetry),
    })
}

/// A node of a GridTrust network: it follows and checks the chain, serves RPC and, with keys in its
/// keystore and `--validator`, authors blocks in its slots and votes on finality.
pub fn network(config: Configuration) -> Result<TaskManager, ServiceError> {
    let PartialComponents {
        client,
        backend,
        mut task_manager,
        import_queue,
        keystore_container,
        select_chain,
        transaction_pool,
        other: (grandpa_import, grandpa_link, mut telemetry),
    } = network_parts(&config)?;

    let mut net_config = sc_network::config::FullNetworkConfiguration::<Block, Hash, Network>::new(
        &config.network,
        config.prometheus_registry().cloned(),
    );
    let metrics = <Network as sc_network::NetworkBackend<Block, Hash>>::register_notification_metrics(
        config.prometheus_registry(),
    );
    let genesis = client
        .block_hash(0)
        .ok()
        .flatten()
        .expect("the genesis block exists");
    let grandpa_protocol = sc_consensus_grandpa::protocol_standard_name(&genesis, &config.chain_spec);
    let (grandpa_protocol_config, grandpa_notifications) =
        sc_consensus_grandpa::grandpa_peers_set_config::<_, Network>(
            grandpa_protocol.clone(),
            metrics.clone(),
            net_config.peer_store_handle(),
        );
    net_config.add_notification_protocol(grandpa_protocol_config);
    let warp_sync = Arc::new(sc_consensus_grandpa::warp_proof::NetworkProvider::new(
        backend.clone(),
        grandpa_link.shared_authority_set().clone(),
        Vec::new(),
    ));
    let (network, system_rpc_tx, tx_handler_controller, network_starter, sync_service) =
        sc_service::build_network(sc_service::BuildNetworkParams {
            config: &config,
            net_config,
            client: client.clone(),
            transaction_pool: transaction_pool.clone(),
            spawn_handle: task_manager.spawn_handle(),
            import_queue,
            block_announce_validator_builder: None,
            warp_sync_config: Some(WarpSyncConfig::WithProvider(warp_sync)),
            block_relay: None,
            metrics,
        })?;

    let role = config.role;
    let force_authoring = config.force_authoring;
    let name = config.network.node_name.clone();
    let enable_grandpa = !config.disable_grandpa;
    let prometheus_registry = config.prometheus_registry().cloned();
    let rpc_builder = {
        let (client, pool) = (client.clone(), transaction_pool.clone());
        Box::new(move |_| {
            crate::rpc::methods(client.clone(), pool.clone()).map_err(ServiceError::Application)
        })
    };
    sc_service::spawn_tasks(sc_service::SpawnTasksParams {
        network: network.clone(),
        client: client.clone(),
        keystore: keystore_container.keystore(),
        task_manager: &mut task_manager,
        transaction_pool: transaction_pool.clone(),
        rpc_builder,
        backend,
        system_rpc_tx,
        tx_handler_controller,
        sync_service: sync_service.clone(),
        config,
        telemetry: telemetry.as_mut(),
    })?;

    if role.is_authority() {
        let proposer = sc_basic_authorship::ProposerFactory::new(
            task_manager.spawn_handle(),
            client.clone(),
            transaction_pool.clone(),
            prometheus_registry.as_ref(),
            telemetry.as_ref().map(Telemetry::handle),
        );
        let slot_duration = sc_consensus_aura::slot_duration(&*client)?;
        let aura = sc_consensus_aura::start_aura::<AuraPair, _, _, _, _, _, _, _, _, _, _>(
            StartAuraParams {
                slot_duration,
                client: client.clone(),
                select_chain,
                block_import: grandpa_import,
                proposer_factory: proposer,
                create_inherent_data_providers: move |_, ()| async move {
                    Ok(inherents(slot_duration))
                },
                force_authoring,
                backoff_authoring_blocks: Option::<()>::None,
                keystore: keystore_container.keystore(),
                sync_oracle: sync_service.clone(),
                justification_sync_link: sync_service.clone(),
                block_proposal_slot_portion: SlotProportion::new(2f32 / 3f32),
                max_block_proposal_slot_portion: None,
                telemetry: telemetry.as_ref().map(Telemetry::handle),
                compatibility_mode: Default::default(),
            },
        )?;
        task_manager
            .spawn_essential_handle()
            .spawn_blocking("aura", Some("block-authoring"), aura);
    }

    if enable_grandpa {
        let grandpa_config = sc_consensus_grandpa::Config {
            gossip_duration: Duration::from_millis(333),
            justification_generation_period: JUSTIFICATION_PERIOD,
            name: Some(name),
            observer_enabled: false,
            keystore: role
                .is_authority()
                .then(|| keystore_container.keystore()),
            local_role: role,
            telemetry: telemetry.as_ref().map(Telemetry::handle),
            protocol_name: grandpa_protocol,
        };
        let voter = sc_consensus_grandpa::run_grandpa_voter(sc_consensus_grandpa::GrandpaParams {
            config: grandpa_config,
            link: grandpa_link,
            network,
            sync: sync_service,
            notification_service: grandpa_notifications,
            voting_rule: sc_consensus_grandpa::VotingRulesBuilder::default().build(),
            prometheus_registry,
            shared_voter_state: SharedVoterState::empty(),
            telemetry: telemetry.as_ref().map(Telemetry::handle),
            offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(transaction_pool),
        })?;
        task_manager
            .spawn_essential_handle()
            .spawn_blocking("grandpa-voter", None, voter);
    }

    network_starter.start_network();
    Ok(task_manager)
}

/// The dev chain: one authority (//Alice, whose keys the runtime knows from genesis), a block for
/// every transaction, final as soon as it is sealed.
pub fn dev(config: Configuration) -> Result<TaskManager, ServiceError> {
    let Core {
        client,
        backend,
        mut task_manager,
        keystore_container,
        select_chain,
        pool,
        mut telemetry,
    } = core(&config)?;
    let import_queue = sc_consensus_manual_seal::import_queue(
        Box::new(client.clone()),
        &task_manager.spawn_essential_handle(),
        config.prometheus_registry(),
    );
    let net_config = sc_network::config::FullNetworkConfiguration::<Block, Hash, Network>::new(
        &config.network,
        config.prometheus_registry().cloned(),
    );
    let metrics = <Network as sc_network::NetworkBackend<Block, Hash>>::register_notification_metrics(
        config.prometheus_registry(),
    );
    let (network, system_rpc_tx, tx_handler_controller, network_starter, sync_service) =
        sc_service::build_network(sc_service::BuildNetworkParams {
            config: &config,
            net_config,
            client: client.clone(),
            transaction_pool: pool.clone(),
            spawn_handle: task_manager.spawn_handle(),
            import_queue,
            block_announce_validator_builder: None,
            warp_sync_config: None,
            block_relay: None,
            metrics,
        })?;
    let prometheus_registry = config.prometheus_registry().cloned();
    let rpc_builder = {
        let (client, pool) = (client.clone(), pool.clone());
        Box::new(move |_| {
            crate::rpc::methods(client.clone(), pool.clone()).map_err(ServiceError::Application)
        })
    };
    sc_service::spawn_tasks(sc_service::SpawnTasksParams {
        network,
        client: client.clone(),
        keystore: keystore_container.keystore(),
        task_manager: &mut task_manager,
        transaction_pool: pool.clone(),
        rpc_builder,
        backend,
        system_rpc_tx,
        tx_handler_controller,
        sync_service,
        config,
        telemetry: telemetry.as_mut(),
    })?;
    let proposer = sc_basic_authorship::ProposerFactory::new(
        task_manager.spawn_handle(),
        client.clone(),
        pool.clone(),
        prometheus_registry.as_ref(),
        telemetry.as_ref().map(Telemetry::handle),
    );
    let sealing = sc_consensus_manual_seal::run_instant_seal_and_finalize(
        sc_consensus_manual_seal::InstantSealParams {
            block_import: client.clone(),
            env: proposer,
            client: client.clone(),
            pool,
            select_chain,
            // The runtime's Aura reads each block's slot from its pre-digest; the dev chain's
            // genesis lets blocks share a slot.
            consensus_data_provider: Some(Box::new(
                sc_consensus_manual_seal::consensus::aura::AuraConsensusDataProvider::new(
                    client.clone(),
                ),
            )),
            create_inherent_data_providers: move |_, ()| async move {
                Ok(sp_timestamp::InherentDataProvider::from_system_time())
            },
        },
    );
    task_manager
        .spawn_essential_handle()
        .spawn_blocking("instant-seal", None, sealing);
    network_starter.start_network();
    Ok(task_manager)
}
