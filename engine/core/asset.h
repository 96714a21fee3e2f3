// Assets (SPEC §2.1). The two L2 assets index the engine's per-asset arrays, so their values are
// dense from 0. DO NOT CHANGE THESE ENUM VALUES: they are stored in SQLite.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/amount.h"

namespace yl {

enum class Asset : std::uint8_t { eth = 0, usdb = 1 };
inline constexpr std::array<Asset, 2> kAssets = {Asset::eth, Asset::usdb};
inline constexpr unsigned kAssetDecimals = 18;  // both L2 assets

constexpr std::size_t index_of(Asset asset) { return static_cast<std::size_t>(asset); }
std::string_view asset_name(Asset asset);
// Exact decimal text of wei of an L2 asset in its units (18 decimals), shortest form ("1.5").
std::string units(const Amount& wei);
std::optional<Asset> parse_asset(std::string_view text);  // "ETH" | "USDB", exact case

// What a deposit may bring from L1: the L2 assets plus stablecoins converted 1:1 to USDB.
enum class DepositAsset : std::uint8_t { eth = 0, usdb = 1, usdc = 2, usdt = 3, dai = 4 };
std::optional<DepositAsset> parse_deposit_asset(std::string_view text);
unsigned decimals_of(DepositAsset asset);
Asset credited_asset(DepositAsset asset);
// Base units of `asset` to wei of its L2 asset: 10^(18 - decimals) per unit. Throws OverflowError.
Amount to_l2_wei(DepositAsset asset, const Amount& base_units);

}  // namespace yl
