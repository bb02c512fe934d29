//! Builds the runtime's Wasm (what every node of the network executes) with substrate-wasm-builder.
fn main() {
    #[cfg(feature = "std")]
    substrate_wasm_builder::WasmBuilder::build_using_defaults();
}
