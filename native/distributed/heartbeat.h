// Which rank is gone when a collective fails. Gloo's own error names a socket address, not a
// rank, and a hung rank shows only as a timeout; so each rank's native thread writes a
// heartbeat (a counter and the training step it is at) into the job's TCPStore twice a second.
// After a failure, a rank whose heartbeat stopped died (or its machine is unreachable), a rank
// whose heartbeat goes on but whose step lags is hung, and a store that cannot be reached
// means rank 0, which hosts it, is gone.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace rn {
namespace dist {

// Connects a store client of its own and beats until the process ends.
void StartHeartbeat(const std::string& addr, int port, int rank, int world, std::chrono::milliseconds timeout);
void NoteStep(int64_t step);
// A sentence naming the lost or hung ranks (takes about two heartbeat periods).
std::string DiagnosePeers();

}  // namespace dist
}  // namespace rn
