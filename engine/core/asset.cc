#include "engine/core/asset.h"

namespace yl {

std::string_view asset_name(Asset asset) { return asset == Asset::eth ? "ETH" : "USDB"; }

std::string units(const Amount& wei) { return wei.units_string(kAssetDecimals); }

std::optional<Asset> parse_asset(std::string_view text) {
  if (text == "ETH") return Asset::eth;
  if (text == "USDB") return Asset::usdb;
  return std::nullopt;
}

std::optional<DepositAsset> parse_deposit_asset(std::string_view text) {
  if (text == "ETH") return DepositAsset::eth;
  if (text == "USDB") return DepositAsset::usdb;
  if (text == "USDC") return DepositAsset::usdc;
  if (text == "USDT") return DepositAsset::usdt;
  if (text == "DAI") return DepositAsset::dai;
  return std::nullopt;
}

unsigned decimals_of(DepositAsset asset) {
  return asset == DepositAsset::usdc || asset == DepositAsset::usdt ? 6 : 18;
}

Asset credited_asset(DepositAsset asset) {
  return asset == DepositAsset::eth ? Asset::eth : Asset::usdb;
}

Amount to_l2_wei(DepositAsset asset, const Amount& base_units) {
  if (decimals_of(asset) == kAssetDecimals) return base_units;
  return base_units * Amount::from_u64(1'000'000'000'000);  // 6 -> 18 decimals (SPEC §2.1)
}

}  // namespace yl
