#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/transport/messages.h"

namespace logsweep::common {

// Serialises domain messages to protobuf bytes and back. Decoding parses,
// checks the protocol version and validates every field in one place, so a
// malformed message is an error about its one peer, never a crash.
// Decode errors: InvalidArgument (not protobuf, wrong version, no body,
// a field out of range). Stateless; thread-safe.

std::string Encode(const WorkerToCoordinator& msg);
std::string Encode(const CoordinatorToWorker& msg);
std::string Encode(const ClientToCoordinator& msg);
std::string Encode(const CoordinatorToClient& msg);

// A whole message holding one task (one outcome). Such messages
// concatenated are one message holding all their tasks (outcomes) in
// order, so a batch grows by appending bytes, with no decode or re-encode.
std::string EncodeTask(const TaskAssignment& task);
std::string EncodeOutcome(const TaskOutcome& outcome);

// `oldest_version`: a peer must speak kProtocolVersion; a record the
// coordinator stored itself (journal, result cache) may be as old as
// kOldestStoredVersion.
StatusOr<WorkerToCoordinator> DecodeWorkerToCoordinator(
    std::string_view bytes, uint32_t oldest_version = kProtocolVersion);
StatusOr<CoordinatorToWorker> DecodeCoordinatorToWorker(std::string_view bytes);
StatusOr<ClientToCoordinator> DecodeClientToCoordinator(
    std::string_view bytes, uint32_t oldest_version = kProtocolVersion);
StatusOr<CoordinatorToClient> DecodeCoordinatorToClient(std::string_view bytes);

}  // namespace logsweep::common
