// RFC 9162 Merkle tree hashes and proofs over stored complete subtrees.
#include "services/audit/domain/merkle.h"

#include "absl/numeric/bits.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/common/status_macros.h"

namespace recovery::audit::merkle {
namespace {

// The largest power of two below n (n >= 2): RFC 9162's split point k.
uint64_t SplitPoint(uint64_t n) { return uint64_t{1} << (63 - absl::countl_zero(n - 1)); }

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

// RFC 9162's "right-shift fn and sn equally until either LSB(fn) is set or fn is 0".
void ShiftToNextLeftEdge(uint64_t& fn, uint64_t& sn) {
  while (!(fn & 1) && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

absl::Status InclusionPath(uint64_t index, uint64_t begin, uint64_t end, const NodeSource& nodes,
                           std::vector<std::string>& path) {
  const uint64_t n = end - begin;
  if (n == 1) return absl::OkStatus();
  const uint64_t k = SplitPoint(n);
  if (index < k) {
    RETURN_IF_ERROR(InclusionPath(index, begin, begin + k, nodes, path));
    ASSIGN_OR_RETURN(std::string right, SubtreeHash(begin + k, end, nodes));
    path.push_back(std::move(right));
  } else {
    RETURN_IF_ERROR(InclusionPath(index - k, begin + k, end, nodes, path));
    ASSIGN_OR_RETURN(std::string left, SubtreeHash(begin, begin + k, nodes));
    path.push_back(std::move(left));
  }
  return absl::OkStatus();
}

absl::Status SubProof(uint64_t m, uint64_t begin, uint64_t end, bool complete, const NodeSource& nodes,
                      std::vector<std::string>& proof) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!complete) {
      ASSIGN_OR_RETURN(std::string hash, SubtreeHash(begin, end, nodes));
      proof.push_back(std::move(hash));
    }
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    RETURN_IF_ERROR(SubProof(m, begin, begin + k, complete, nodes, proof));
    ASSIGN_OR_RETURN(std::string right, SubtreeHash(begin + k, end, nodes));
    proof.push_back(std::move(right));
  } else {
    RETURN_IF_ERROR(SubProof(m - k, begin + k, end, false, nodes, proof));
    ASSIGN_OR_RETURN(std::string left, SubtreeHash(begin, begin + k, nodes));
    proof.push_back(std::move(left));
  }
  return absl::OkStatus();
}

}  // namespace

std::string LeafHash(absl::string_view leaf_bytes) {
  std::string buf;
  buf.reserve(leaf_bytes.size() + 1);
  buf.push_back('\x00');
  buf.append(leaf_bytes.data(), leaf_bytes.size());
  return Sha256(buf);
}

std::string NodeHash(absl::string_view left, absl::string_view right) {
  std::string buf;
  buf.reserve(1 + left.size() + right.size());
  buf.push_back('\x01');
  buf.append(left.data(), left.size());
  buf.append(right.data(), right.size());
  return Sha256(buf);
}

std::string EmptyRoot() { return Sha256(""); }

absl::StatusOr<std::string> SubtreeHash(uint64_t begin, uint64_t end, const NodeSource& nodes) {
  const uint64_t n = end - begin;
  if (end < begin) return absl::InvalidArgumentError("subtree: end before begin");
  if (n == 0) return EmptyRoot();
  if (IsPowerOfTwo(n) && begin % n == 0) return nodes(absl::countr_zero(n), begin / n);
  const uint64_t k = SplitPoint(n);
  ASSIGN_OR_RETURN(const std::string left, SubtreeHash(begin, begin + k, nodes));
  ASSIGN_OR_RETURN(const std::string right, SubtreeHash(begin + k, end, nodes));
  return NodeHash(left, right);
}

absl::StatusOr<std::string> Root(uint64_t size, const NodeSource& nodes) { return SubtreeHash(0, size, nodes); }

std::vector<std::pair<int, uint64_t>> NodesCompletedBy(uint64_t index) {
  std::vector<std::pair<int, uint64_t>> out;
  int level = 0;
  while (index & 1) {
    ++level;
    index >>= 1;
    out.emplace_back(level, index);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size, const NodeSource& nodes) {
  if (index >= size) return absl::InvalidArgumentError(absl::StrCat("leaf ", index, " is not in a tree of ", size));
  std::vector<std::string> path;
  RETURN_IF_ERROR(InclusionPath(index, 0, size, nodes, path));
  return path;
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t first, uint64_t second, const NodeSource& nodes) {
  if (first > second) return absl::InvalidArgumentError("consistency: first size beyond the second");
  std::vector<std::string> proof;
  if (first == 0 || first == second) return proof;
  RETURN_IF_ERROR(SubProof(first, 0, second, true, nodes, proof));
  return proof;
}

bool VerifyInclusion(uint64_t index, uint64_t size, absl::string_view leaf_hash, const std::vector<std::string>& proof,
                     absl::string_view root) {
  if (index >= size) return false;
  uint64_t fn = index;
  uint64_t sn = size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      ShiftToNextLeftEdge(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t first, uint64_t second, absl::string_view first_root, absl::string_view second_root,
                       const std::vector<std::string>& proof) {
  if (first > second) return false;
  if (first == second) return proof.empty() && first_root == second_root;
  if (first == 0) return proof.empty();
  if (proof.empty()) return false;
  std::vector<std::string> path;
  if (IsPowerOfTwo(first)) path.emplace_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = first - 1;
  uint64_t sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr = path[0];
  std::string sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const std::string& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftToNextLeftEdge(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

void CompactRange::Append(std::string leaf_hash) {
  int level = 0;
  while (!subtrees_.empty() && subtrees_.back().first == level) {
    leaf_hash = NodeHash(subtrees_.back().second, leaf_hash);
    subtrees_.pop_back();
    ++level;
  }
  subtrees_.emplace_back(level, std::move(leaf_hash));
  ++size_;
}

std::string CompactRange::Root() const {
  if (subtrees_.empty()) return EmptyRoot();
  std::string root = subtrees_.back().second;
  for (size_t i = subtrees_.size() - 1; i-- > 0;) root = NodeHash(subtrees_[i].second, root);
  return root;
}

void MerkleTree::AppendLeafHash(std::string leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  const uint64_t index = levels_[0].size();
  levels_[0].push_back(std::move(leaf_hash));
  for (const auto& [level, i] : NodesCompletedBy(index)) {
    if (levels_.size() <= static_cast<size_t>(level)) levels_.emplace_back();
    const auto& below = levels_[level - 1];
    levels_[level].push_back(NodeHash(below[2 * i], below[2 * i + 1]));
  }
}

NodeSource MerkleTree::Nodes() const {
  return [this](int level, uint64_t index) -> absl::StatusOr<std::string> {
    if (static_cast<size_t>(level) >= levels_.size() || index >= levels_[level].size())
      return absl::NotFoundError(absl::StrCat("merkle node (", level, ", ", index, ") missing"));
    return levels_[level][index];
  };
}

std::string MerkleTree::Root(uint64_t size) const {
  auto root = merkle::Root(size, Nodes());
  return root.ok() ? *root : std::string();
}

}  // namespace recovery::audit::merkle
