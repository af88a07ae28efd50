// gRPC messages of the KServe v2 service other than the inference tensors:
// parameters, server and model metadata, repository index, statistics.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "grpc_service.pb.h"
#include "types/inference_request.h"
#include "types/model_metadata.h"
#include "types/statistics.h"

namespace inferd::protocol {

using GrpcParameterMap = google::protobuf::Map<std::string, inference::InferParameter>;

// Copies gRPC "parameters" into `parameters`. `owner` names whose they are in
// messages ("model 'simple': parameter \"x\" of the request ..."). A uint64
// value beyond int64 or a parameter with no value is INVALID_ARGUMENT.
Status ReadGrpcParameters(const GrpcParameterMap& source, std::string_view model_name, std::string_view owner,
                          Parameters* parameters);
void WriteGrpcParameters(const Parameters& parameters, GrpcParameterMap* target);

void FillServerMetadata(const std::string& name, const std::string& version,
                        const std::vector<std::string>& extensions, inference::ServerMetadataResponse* response);
void FillModelMetadata(const ModelMetadata& metadata, inference::ModelMetadataResponse* response);
void FillRepositoryIndex(const std::vector<ModelIndexEntry>& entries, inference::RepositoryIndexResponse* response);
// Triton's statistics extension: every duration as {count, ns}, batch_stats
// ordered by batch size.
void FillModelStatistics(const std::vector<ModelStatisticsSnapshot>& stats,
                         inference::ModelStatisticsResponse* response);

}  // namespace inferd::protocol
