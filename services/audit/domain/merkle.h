// The audit Merkle log: RFC 9162 (Certificate Transparency v2) hashes, the tree head over any
// size, inclusion and consistency proofs and their verification. Pure logic: the nodes come
// from a NodeSource (the store's audit_merkle_node table, or MerkleTree in memory).
//
// Hashes are raw 32-byte SHA-256 strings here; the store, the RPCs and the export carry them
// as lowercase hex.
//   leaf hash = SHA-256(0x00 || leaf bytes)           (leaf bytes: see services/audit/README.md)
//   node hash = SHA-256(0x01 || left || right)
//   MTH({})   = SHA-256("")
//   MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
// Nodes are addressed as (level, index): the complete subtree over leaves
// [index * 2^level, (index + 1) * 2^level); level 0 holds the leaf hashes. Only complete
// subtrees are ever stored: a tree of any size is a fold of at most log2(n) of them.
// Thread-safety: pure functions; MerkleTree is not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/common/crypto.h"

namespace recovery::audit::merkle {

using common::Sha256;  // services/common/crypto.h
std::string LeafHash(absl::string_view leaf_bytes);
std::string NodeHash(absl::string_view left, absl::string_view right);
// MTH of the empty tree: SHA-256 of no bytes.
std::string EmptyRoot();

// Reads the stored complete subtree (level, index). NOT_FOUND / DATA_LOSS when missing.
using NodeSource = std::function<absl::StatusOr<std::string>(int level, uint64_t index)>;

// MTH(D[begin:end]), for a range that RFC 9162's recursion reaches (begin aligned to the
// largest power of two not above end - begin, which every range in the proofs below is).
absl::StatusOr<std::string> SubtreeHash(uint64_t begin, uint64_t end, const NodeSource& nodes);
// The root of the tree of the first `size` leaves.
absl::StatusOr<std::string> Root(uint64_t size, const NodeSource& nodes);

// The complete subtrees that appending leaf `index` completes, bottom up: (level, index) of
// each new node beyond the leaf itself. Appending leaf n stores (0, n) and these, each the
// node hash of its left sibling (stored before) and the node just below it.
std::vector<std::pair<int, uint64_t>> NodesCompletedBy(uint64_t index);

// RFC 9162 2.1.3.1 PATH(index, D[size]): leaf to root. index < size.
absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size, const NodeSource& nodes);
// RFC 9162 2.1.4.1 PROOF(first, D[second]). 0 < first <= second; first == second: empty.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first, uint64_t second, const NodeSource& nodes);

// RFC 9162 2.1.3.2.
bool VerifyInclusion(uint64_t index, uint64_t size, absl::string_view leaf_hash, const std::vector<std::string>& proof,
                     absl::string_view root);
// RFC 9162 2.1.4.2; first == second needs an empty proof and equal roots; first == 0 is
// consistent with anything (empty proof).
bool VerifyConsistency(uint64_t first, uint64_t second, absl::string_view first_root, absl::string_view second_root,
                       const std::vector<std::string>& proof);

// The right edge of a tree: its complete subtrees, largest first (at most log2(n) hashes), so
// the root of a growing log is kept in O(log n) memory (VerifyChain over the whole log).
class CompactRange {
 public:
  void Append(std::string leaf_hash);
  uint64_t size() const { return size_; }
  std::string Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<std::pair<int, std::string>> subtrees_;  // (level, hash)
};

// A whole tree in memory: the complete subtrees by level. The verifiers build it from an
// export; tests compare the store's answers with it.
class MerkleTree {
 public:
  void AppendLeafHash(std::string leaf_hash);
  void AppendLeaf(absl::string_view leaf_bytes) { AppendLeafHash(LeafHash(leaf_bytes)); }
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  // Root of the first `size` leaves (size <= this->size()).
  std::string Root(uint64_t size) const;
  std::string Root() const { return Root(size()); }
  NodeSource Nodes() const;
  const std::string& Leaf(uint64_t index) const { return levels_[0][index]; }

 private:
  std::vector<std::vector<std::string>> levels_;
};

}  // namespace recovery::audit::merkle
