// The audit Merkle log's hashes and proofs: RFC 9162 / RFC 6962 test vectors (the ones
// Certificate Transparency's own implementations test against), and a property test of the
// stored-subtree algorithms against a naive recomputation for every size 1..70.
#include "services/audit/domain/merkle.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"

namespace recovery::audit::merkle {
namespace {

std::string Hex(const std::string& raw) { return absl::BytesToHexString(raw); }
std::vector<std::string> Hexes(const std::vector<std::string>& raws) {
  std::vector<std::string> out;
  for (const auto& r : raws) out.push_back(Hex(r));
  return out;
}
std::vector<std::string> Raws(const std::vector<std::string>& hexes) {
  std::vector<std::string> out;
  for (const auto& h : hexes) out.push_back(absl::HexStringToBytes(h));
  return out;
}

// The eight leaves of the CT test vectors.
const std::vector<std::string>& VectorLeaves() {
  static const auto* leaves = new std::vector<std::string>{
      "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
  return *leaves;
}

MerkleTree VectorTree(size_t size) {
  MerkleTree tree;
  for (size_t i = 0; i < size; ++i) tree.AppendLeaf(absl::HexStringToBytes(VectorLeaves()[i]));
  return tree;
}

TEST(MerkleVectorsTest, RootsOfOneToEightLeaves) {
  const char* roots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  const MerkleTree tree = VectorTree(8);
  for (uint64_t n = 1; n <= 8; ++n) EXPECT_EQ(Hex(tree.Root(n)), roots[n - 1]) << "size " << n;
  EXPECT_EQ(Hex(tree.Root(0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(LeafHash("")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(MerkleVectorsTest, InclusionProofs) {
  struct Case {
    uint64_t index, size;
    std::vector<std::string> proof;
  };
  const std::vector<Case> cases = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  const MerkleTree tree = VectorTree(8);
  for (const Case& c : cases) {
    auto proof = InclusionProof(c.index, c.size, tree.Nodes());
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(Hexes(*proof), c.proof) << "leaf " << c.index << " of " << c.size;
    EXPECT_TRUE(VerifyInclusion(c.index, c.size, tree.Leaf(c.index), Raws(c.proof), tree.Root(c.size)));
  }
}

TEST(MerkleVectorsTest, ConsistencyProofs) {
  struct Case {
    uint64_t first, second;
    std::vector<std::string> proof;
  };
  const std::vector<Case> cases = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  const MerkleTree tree = VectorTree(8);
  for (const Case& c : cases) {
    auto proof = ConsistencyProof(c.first, c.second, tree.Nodes());
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(Hexes(*proof), c.proof) << c.first << " -> " << c.second;
    EXPECT_TRUE(VerifyConsistency(c.first, c.second, tree.Root(c.first), tree.Root(c.second), Raws(c.proof)));
  }
}

// The RFC's definitions, straight from the text over a list of leaf hashes.
std::string NaiveRoot(const std::vector<std::string>& d, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 0) return Sha256("");
  if (n == 1) return d[begin];
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return NodeHash(NaiveRoot(d, begin, begin + k), NaiveRoot(d, begin + k, end));
}

std::vector<std::string> NaivePath(size_t m, const std::vector<std::string>& d, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 1) return {};
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  std::vector<std::string> path;
  if (m < k) {
    path = NaivePath(m, d, begin, begin + k);
    path.push_back(NaiveRoot(d, begin + k, end));
  } else {
    path = NaivePath(m - k, d, begin + k, end);
    path.push_back(NaiveRoot(d, begin, begin + k));
  }
  return path;
}

std::vector<std::string> NaiveSubproof(size_t m, const std::vector<std::string>& d, size_t begin, size_t end, bool b) {
  const size_t n = end - begin;
  if (m == n) return b ? std::vector<std::string>{} : std::vector<std::string>{NaiveRoot(d, begin, end)};
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  std::vector<std::string> proof;
  if (m <= k) {
    proof = NaiveSubproof(m, d, begin, begin + k, b);
    proof.push_back(NaiveRoot(d, begin + k, end));
  } else {
    proof = NaiveSubproof(m - k, d, begin + k, end, false);
    proof.push_back(NaiveRoot(d, begin, begin + k));
  }
  return proof;
}

TEST(MerklePropertyTest, StoredSubtreesAgreeWithNaiveRecomputationForSizesOneToSeventy) {
  MerkleTree tree;
  std::vector<std::string> leaves;
  for (int i = 0; i < 70; ++i) {
    tree.AppendLeaf("leaf " + std::to_string(i));
    leaves.push_back(LeafHash("leaf " + std::to_string(i)));
  }
  for (uint64_t n = 1; n <= 70; ++n) {
    const std::string root = NaiveRoot(leaves, 0, n);
    ASSERT_EQ(tree.Root(n), root) << "size " << n;
    for (uint64_t m = 0; m < n; ++m) {
      auto path = InclusionProof(m, n, tree.Nodes());
      ASSERT_TRUE(path.ok());
      ASSERT_EQ(*path, NaivePath(m, leaves, 0, n)) << m << " in " << n;
      ASSERT_TRUE(VerifyInclusion(m, n, leaves[m], *path, root)) << m << " in " << n;
      // Another leaf, another index or another root must not verify.
      if (n > 1) {
        ASSERT_FALSE(VerifyInclusion(m, n, leaves[(m + 1) % n], *path, root)) << m << " in " << n;
        ASSERT_FALSE(VerifyInclusion((m + 1) % n, n, leaves[m], *path, root)) << m << " in " << n;
      }
      if (!path->empty()) {
        auto bad = *path;
        bad.back()[0] ^= 1;
        ASSERT_FALSE(VerifyInclusion(m, n, leaves[m], bad, root));
      }
    }
    for (uint64_t m = 1; m <= n; ++m) {
      auto proof = ConsistencyProof(m, n, tree.Nodes());
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(*proof, m == n ? std::vector<std::string>{} : NaiveSubproof(m, leaves, 0, n, true)) << m << "->" << n;
      const std::string first_root = NaiveRoot(leaves, 0, m);
      ASSERT_TRUE(VerifyConsistency(m, n, first_root, root, *proof)) << m << " -> " << n;
      if (m < n) {
        // A root of a forked first tree does not verify.
        std::string forked = first_root;
        forked[5] ^= 1;
        ASSERT_FALSE(VerifyConsistency(m, n, forked, root, *proof)) << m << " -> " << n;
        auto bad = *proof;
        bad[0][0] ^= 1;
        ASSERT_FALSE(VerifyConsistency(m, n, first_root, root, bad)) << m << " -> " << n;
      }
    }
  }
}

TEST(MerkleTest, AppendingLeafNCompletesTheSubtreesEndingAtIt) {
  EXPECT_TRUE(NodesCompletedBy(0).empty());
  EXPECT_EQ(NodesCompletedBy(1), (std::vector<std::pair<int, uint64_t>>{{1, 0}}));
  EXPECT_EQ(NodesCompletedBy(7), (std::vector<std::pair<int, uint64_t>>{{1, 3}, {2, 1}, {3, 0}}));
  EXPECT_TRUE(NodesCompletedBy(8).empty());
  EXPECT_FALSE(InclusionProof(3, 3, MerkleTree().Nodes()).ok());
  EXPECT_FALSE(ConsistencyProof(4, 3, MerkleTree().Nodes()).ok());
}

}  // namespace
}  // namespace recovery::audit::merkle
