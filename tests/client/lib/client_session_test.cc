#include "client/lib/client_session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "common/transport/codec.h"
#include "common/transport/messages.h"

namespace logsweep::client {
namespace {

using std::chrono::milliseconds;

TimePoint At(milliseconds t) { return TimePoint{} + t; }

ClientSessionOptions Options() {
  ClientSessionOptions options;
  options.endpoint = "tcp://coordinator:5556";
  options.connect_timeout = milliseconds(10000);
  options.silence_timeout = milliseconds(15000);
  options.reattach_after = milliseconds(2000);
  return options;
}

std::vector<common::ClientToCoordinator> Sent(ClientSession& session) {
  std::vector<common::ClientToCoordinator> out;
  for (const std::string& payload : session.TakeOutgoing()) {
    auto decoded = common::DecodeClientToCoordinator(payload);
    if (!decoded.ok()) {
      ADD_FAILURE() << decoded.status().ToString();
      continue;
    }
    out.push_back(std::move(*decoded));
  }
  return out;
}

template <class T>
std::vector<T> Events(ClientSession& session) {
  std::vector<T> out;
  for (auto& event : session.TakeEvents()) {
    if (auto* e = std::get_if<T>(&event)) out.push_back(std::move(*e));
  }
  return out;
}

std::string Bytes(const common::CoordinatorToClient& msg) {
  return common::Encode(msg);
}

common::SubmitJob Submit(std::vector<std::string> paths) {
  common::SubmitJob submit;
  submit.paths = std::move(paths);
  return submit;
}

// A session whose submit of one job was accepted as "job-1".
struct Accepted {
  Accepted() : session(Options(), At(milliseconds(0))) {
    session.OnConnected(At(milliseconds(0)));
    request = session.Submit(Submit({"/a"}), At(milliseconds(0)));
    session.TakeOutgoing();
    session.OnMessage(Bytes(common::JobAccepted{"job-1", 1, request}),
                      At(milliseconds(10)));
    session.TakeEvents();
  }
  ClientSession session;
  uint64_t request;
};

TEST(ClientSessionTest, SubmitCarriesARequestKey) {
  ClientSession session(Options(), At(milliseconds(0)));

  session.Submit(Submit({"/a"}), At(milliseconds(0)));

  auto sent = Sent(session);
  ASSERT_EQ(sent.size(), 1u);
  const auto& submit = std::get<common::SubmitJob>(sent[0]);
  EXPECT_EQ(submit.request_key.size(), 32u);
  EXPECT_NE(submit.request_id, 0u);
}

TEST(ClientSessionTest, AcceptanceIsAnEventForItsRequest) {
  ClientSession session(Options(), At(milliseconds(0)));
  uint64_t id = session.Submit(Submit({"/a", "/b"}), At(milliseconds(0)));

  session.OnMessage(Bytes(common::JobAccepted{"job-1", 2, id}),
                    At(milliseconds(5)));

  auto accepted = Events<ClientSession::Accepted>(session);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].request_id, id);
  EXPECT_EQ(accepted[0].job_id, "job-1");
  EXPECT_EQ(accepted[0].total, 2u);
  EXPECT_EQ(session.jobs(), 1u);
}

TEST(ClientSessionTest, AnAcceptanceThatNeverComesIsANamedDeadlineError) {
  ClientSession session(Options(), At(milliseconds(0)));
  uint64_t id = session.Submit(Submit({"/a"}), At(milliseconds(0)));

  session.OnTick(At(milliseconds(9999)));
  EXPECT_TRUE(session.TakeEvents().empty());
  session.OnTick(At(milliseconds(10000)));

  auto failed = Events<ClientSession::Failed>(session);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].request_id, id);
  EXPECT_EQ(failed[0].status.code(), common::StatusCode::kDeadlineExceeded);
  EXPECT_NE(failed[0].status.message().find("tcp://coordinator:5556"),
            std::string::npos);
}

TEST(ClientSessionTest, UnansweredSubmitIsSentAgainWithItsKeyOnReconnect) {
  ClientSession session(Options(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));  // the first connection
  session.Submit(Submit({"/a"}), At(milliseconds(0)));
  auto first = Sent(session);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(Sent(session).empty());

  // The coordinator died with the submit unanswered; it is back.
  session.OnConnected(At(milliseconds(500)));

  auto again = Sent(session);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(std::get<common::SubmitJob>(again[0]).request_key,
            std::get<common::SubmitJob>(first[0]).request_key);
  EXPECT_EQ(std::get<common::SubmitJob>(again[0]).request_id,
            std::get<common::SubmitJob>(first[0]).request_id);
}

TEST(ClientSessionTest, AnAcceptanceOfASubmitSentTwiceIsOneEvent) {
  ClientSession session(Options(), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(0)));
  uint64_t id = session.Submit(Submit({"/a"}), At(milliseconds(0)));
  session.OnConnected(At(milliseconds(500)));

  session.OnMessage(Bytes(common::JobAccepted{"job-1", 1, id}),
                    At(milliseconds(600)));
  session.OnMessage(Bytes(common::JobAccepted{"job-1", 1, id}),
                    At(milliseconds(601)));

  EXPECT_EQ(Events<ClientSession::Accepted>(session).size(), 1u);
}

TEST(ClientSessionTest, SilentJobIsReattachedEveryIntervalThenLost) {
  Accepted a;
  ClientSession& session = a.session;

  session.OnTick(At(milliseconds(2000)));
  EXPECT_TRUE(Sent(session).empty());
  session.OnTick(At(milliseconds(2100)));
  auto first = Sent(session);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(std::get<common::WaitJob>(first[0]).job_id, "job-1");
  session.OnTick(At(milliseconds(3000)));
  EXPECT_TRUE(Sent(session).empty());
  session.OnTick(At(milliseconds(4200)));
  EXPECT_EQ(Sent(session).size(), 1u);

  session.OnTick(At(milliseconds(15011)));
  auto failed = Events<ClientSession::Failed>(session);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].job_id, "job-1");
  EXPECT_EQ(failed[0].status.code(), common::StatusCode::kUnavailable);
  EXPECT_EQ(session.jobs(), 0u);
}

TEST(ClientSessionTest, ProgressKeepsAJobFromBeingReattached) {
  Accepted a;
  ClientSession& session = a.session;
  for (int t = 500; t <= 20000; t += 500) {
    session.OnMessage(Bytes(common::JobProgress{"job-1", 1, 0, 0, 0, 1}),
                      At(milliseconds(t)));
    session.OnTick(At(milliseconds(t)));
  }
  EXPECT_TRUE(Sent(session).empty());
  EXPECT_TRUE(Events<ClientSession::Failed>(session).empty());
}

TEST(ClientSessionTest, JobGoneAfterARestartIsLostWithTheReason) {
  Accepted a;
  ClientSession& session = a.session;
  session.OnTick(At(milliseconds(2100)));
  auto wait = std::get<common::WaitJob>(Sent(session).at(0));

  session.OnMessage(
      Bytes(common::JobRejected{common::NotFoundError("no job job-1"),
                                wait.request_id}),
      At(milliseconds(2200)));

  auto failed = Events<ClientSession::Failed>(session);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].job_id, "job-1");
  EXPECT_EQ(failed[0].status.code(), common::StatusCode::kNotFound);
}

TEST(ClientSessionTest, ResultInPiecesIsAssembledWhole) {
  Accepted a;
  ClientSession& session = a.session;
  common::FileReport f1{"/a", {}, {}, 1, {}};
  common::FileReport f2{"/b", {}, {}, 1, {}};
  session.OnMessage(
      Bytes(common::JobResultPart{"job-1", {"h1", "h2"}, {f1}, 0, {}}),
      At(milliseconds(20)));
  common::JobResult tail;
  tail.job_id = "job-1";
  tail.hosts = {"h3"};
  tail.files = {f2};
  tail.parts = 1;
  tail.host_count = 3;
  tail.file_count = 2;

  session.OnMessage(Bytes(tail), At(milliseconds(21)));

  auto finished = Events<ClientSession::Finished>(session);
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].result.hosts,
            (std::vector<std::string>{"h1", "h2", "h3"}));
  ASSERT_EQ(finished[0].result.files.size(), 2u);
  EXPECT_EQ(finished[0].result.files[1].path, "/b");
}

TEST(ClientSessionTest, ResultWithAMissingPieceIsAskedForAgain) {
  Accepted a;
  ClientSession& session = a.session;
  common::JobResult tail;
  tail.job_id = "job-1";
  tail.parts = 1;  // the piece before it never came
  tail.host_count = 3;
  tail.file_count = 1;

  session.OnMessage(Bytes(tail), At(milliseconds(21)));

  EXPECT_TRUE(Events<ClientSession::Finished>(session).empty());
  auto sent = Sent(session);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(std::get<common::WaitJob>(sent[0]).job_id, "job-1");
  EXPECT_TRUE(std::get<common::WaitJob>(sent[0]).restart_result);
  EXPECT_EQ(session.jobs(), 1u);
}

TEST(ClientSessionTest, AResultSentAgainStartsOverAtItsFirstPiece) {
  Accepted a;
  ClientSession& session = a.session;
  common::FileReport f1{"/a", {}, {}, 1, {}};
  // A first piece, then the coordinator sends the whole result again (a
  // re-attach asked for it): its first piece has index 0 again.
  session.OnMessage(Bytes(common::JobResultPart{"job-1", {"h1"}, {f1}, 0, {}}),
                    At(milliseconds(20)));
  session.OnMessage(Bytes(common::JobResultPart{"job-1", {"h1"}, {f1}, 0, {}}),
                    At(milliseconds(2201)));
  common::JobResult tail;
  tail.job_id = "job-1";
  tail.hosts = {"h2"};
  tail.parts = 1;
  tail.host_count = 2;
  tail.file_count = 1;

  session.OnMessage(Bytes(tail), At(milliseconds(2202)));

  auto finished = Events<ClientSession::Finished>(session);
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0].result.hosts, (std::vector<std::string>{"h1", "h2"}));
  EXPECT_EQ(finished[0].result.files.size(), 1u);
}

TEST(ClientSessionTest, AGapInTheResultAsksForItAllAgain) {
  Accepted a;
  ClientSession& session = a.session;
  session.OnMessage(Bytes(common::JobResultPart{"job-1", {"h1"}, {}, 0, {}}),
                    At(milliseconds(20)));

  session.OnMessage(Bytes(common::JobResultPart{"job-1", {"h3"}, {}, 2, {}}),
                    At(milliseconds(21)));

  auto sent = Sent(session);
  ASSERT_EQ(sent.size(), 1u);
  const auto& wait = std::get<common::WaitJob>(sent[0]);
  EXPECT_EQ(wait.job_id, "job-1");
  EXPECT_TRUE(wait.restart_result);
}

TEST(ClientSessionTest, AReattachAfterSilenceLetsAResultOnItsWayGoOn) {
  Accepted a;
  ClientSession& session = a.session;

  session.OnTick(At(milliseconds(2100)));

  auto wait = std::get<common::WaitJob>(Sent(session).at(0));
  EXPECT_FALSE(wait.restart_result);
}

TEST(ClientSessionTest, AResultThatArrivesTwiceFinishesTheJobOnce) {
  Accepted a;
  ClientSession& session = a.session;
  common::JobResult result;
  result.job_id = "job-1";
  result.hosts = {"h"};

  session.OnMessage(Bytes(result), At(milliseconds(20)));
  session.OnMessage(Bytes(result), At(milliseconds(21)));

  EXPECT_EQ(Events<ClientSession::Finished>(session).size(), 1u);
}

TEST(ClientSessionTest, RefusalFailsEveryPendingRequestWithItsReason) {
  ClientSession session(Options(), At(milliseconds(0)));
  uint64_t id = session.Submit(Submit({"/a"}), At(milliseconds(0)));

  session.OnMessage(Bytes(common::Refused{common::InvalidArgumentError(
                                              "a client connected to the "
                                              "coordinator's workers endpoint"),
                                          2}),
                    At(milliseconds(5)));

  auto failed = Events<ClientSession::Failed>(session);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].request_id, id);
  EXPECT_NE(failed[0].status.message().find("workers endpoint"),
            std::string::npos);
}

TEST(ClientSessionTest, StatusAnswerGoesToItsRequest) {
  ClientSession session(Options(), At(milliseconds(0)));
  uint64_t id = session.Ask(common::GetStatus{"", 0}, At(milliseconds(0)));
  common::StatusReply reply;
  reply.request_id = id;

  session.OnMessage(Bytes(reply), At(milliseconds(5)));

  auto answers = Events<ClientSession::Answer>(session);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].request_id, id);
  EXPECT_TRUE(std::holds_alternative<common::StatusReply>(answers[0].answer));
}

TEST(ClientSessionTest, CancelSendsTheTasksAndAwaitsNothing) {
  Accepted a;
  ClientSession& session = a.session;

  session.Cancel("job-1", {0, 3});

  auto sent = Sent(session);
  ASSERT_EQ(sent.size(), 1u);
  const auto& cancel = std::get<common::CancelJob>(sent[0]);
  EXPECT_EQ(cancel.job_id, "job-1");
  EXPECT_EQ(cancel.task_ids, (std::vector<uint64_t>{0, 3}));
  session.OnTick(At(milliseconds(10500)));
  EXPECT_TRUE(Events<ClientSession::Failed>(session).empty());
}

TEST(ClientSessionTest, ReconnectReattachesFollowedJobsAtOnce) {
  Accepted a;
  ClientSession& session = a.session;

  session.OnConnected(At(milliseconds(100)));

  auto sent = Sent(session);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(std::get<common::WaitJob>(sent[0]).job_id, "job-1");
}

}  // namespace
}  // namespace logsweep::client
