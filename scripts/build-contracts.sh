#!/usr/bin/env bash
# Builds every contract under contracts/ (all but the `common` library) with cargo-contract, release mode,
# to $CARGO_TARGET_DIR/ink/<name>/<name>.contract. A contract split into facets (a `facets` list under
# `[package.metadata.gridtrust]` in its Cargo.toml, see contracts/common/src/facets.rs) is built once per
# facet with the feature `<facet>-facet`: the first facet, the code its constructor runs in, is the bundle
# `<name>`; each other facet is the bundle `<name>_<facet>`. Its `<name>/<name>.json` is the metadata of a
# build with every message (what a client such as Contracts UI needs to call the deployed instance), while
# each `.contract` holds one facet's code and that facet's metadata.
# A bundle is rebuilt only when the content of its inputs (its folder, contracts/common, the lock file, the
# workspace manifest, the toolchain pin) changed since it was built; content, not timestamps, so a fresh
# clone reuses bundles built from the same sources.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir=${CARGO_TARGET_DIR:-$PWD/target}
shared_inputs=(contracts/common Cargo.lock Cargo.toml rust-toolchain.toml)

inputs_digest() { # inputs_digest PATH...: one hash over the names and contents of every file under PATH...
    find "$@" -type f -not -path '*/target/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

facets_of() { # facets_of DIR: the facet names listed in DIR/Cargo.toml, first one first; none if unsplit
    sed -n 's/^facets *= *\[\(.*\)\]/\1/p' "$1/Cargo.toml" | tr -d '" ' | tr ',' ' '
}

# build NAME DIR BUNDLE DIGEST [FEATURE]: builds DIR (with FEATURE) unless BUNDLE is up to date, and
# leaves the result as $target_dir/ink/BUNDLE/BUNDLE.{contract,wasm,json}.
build() {
    local name=$1 dir=$2 bundle_name=$3 digest=$4 feature=${5:-}
    local out="$target_dir/ink/$bundle_name"
    local bundle="$out/$bundle_name.contract" stamp="$out/$bundle_name.contract.inputs"
    if [ -f "$bundle" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ]; then
        echo "contracts: $bundle_name is up to date ($bundle)"
        return
    fi
    echo "contracts: building $bundle_name"
    cargo contract build --release --quiet --manifest-path "$dir/Cargo.toml" ${feature:+--features "$feature"}
    local built="$target_dir/ink/$name"
    [ -f "$built/$name.contract" ] || { echo "contracts: cargo-contract did not produce $built/$name.contract" >&2; exit 1; }
    if [ "$bundle_name" != "$name" ]; then
        mkdir -p "$out"
        for ext in contract wasm json; do cp "$built/$name.$ext" "$out/$bundle_name.$ext"; done
        # The crate's own folder now holds this facet's build: make the primary bundle rebuild.
        rm -f "$built/$name.contract.inputs"
    fi
    echo "$digest" >"$stamp"
}

for dir in contracts/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    [ "$name" = common ] && continue
    digest=$(inputs_digest "$dir" "${shared_inputs[@]}")
    read -r -a facets <<<"$(facets_of "$dir")"
    if [ ${#facets[@]} -eq 0 ]; then
        build "$name" "$dir" "$name" "$digest"
        continue
    fi
    # The metadata of a build with every message, kept apart: the facet builds below write their own.
    full="$target_dir/ink/${name}_metadata/$name.json"
    if [ ! -f "$full" ] || [ "$(cat "$full.inputs" 2>/dev/null)" != "$digest" ]; then
        echo "contracts: building $name with every message, for its metadata"
        cargo contract build --release --quiet --manifest-path "$dir/Cargo.toml"
        mkdir -p "$(dirname "$full")"
        cp "$target_dir/ink/$name/$name.json" "$full"
        echo "$digest" >"$full.inputs"
        # The crate's own folder now holds the full build: make the primary bundle rebuild.
        rm -f "$target_dir/ink/$name/$name.contract.inputs"
    fi
    for facet in "${facets[@]:1}"; do
        build "$name" "$dir" "${name}_$facet" "$digest" "$facet-facet"
    done
    build "$name" "$dir" "$name" "$digest" "${facets[0]}-facet"
    cp "$full" "$target_dir/ink/$name/$name.json"
done
