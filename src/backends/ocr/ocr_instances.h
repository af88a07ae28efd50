// The OCR backend's three operations, each a BackendInstance chosen by the
// config parameter `operation`:
//
//   detection_preprocess  image (BYTES [1])  -> detection_input (FP32 [1,3,H',W']),
//                                               original_image (UINT8 [H,W,3])
//   detection_postprocess probability_map (FP32 [1,1,H',W']), original_image
//                                            -> recognition_input (FP32 [N,3,48,W]),
//                                               boxes (FP32 [N,4,2]), scores (FP32 [N])
//   ctc_decode            probabilities (FP32 [N,T,C]) -> text (BYTES [N]), text_scores (FP32 [N])
//
// Parameters (all optional except as noted): limit_side_len, max_pixels;
// det_db_thresh, det_db_box_thresh, det_db_unclip_ratio, rec_image_height,
// rec_image_min_width, rec_image_max_width; dictionary (ctc_decode: a file
// in the version folder, default ppocr_keys_v1.txt).
#pragma once

#include <memory>
#include <string>

#include "backends/ocr/ocr_parameters.h"
#include "backends/sdk/backend.h"

namespace inferd::ocr {

inline constexpr const char* kDefaultDictionaryFile = "ppocr_keys_v1.txt";

// `model_name` starts every message; `version_dir` is where the dictionary
// file is looked for (confined to the model folder above it).
// `decode_classes` is the last dimension the config gives the ctc_decode
// input 'probabilities' (-1 when variable): a dictionary that does not give
// that many classes fails the load instead of every request.
// INVALID_ARGUMENT for an unknown operation, a bad parameter or a mismatched
// dictionary; NOT_FOUND when the dictionary is missing.
Result<std::unique_ptr<BackendInstance>> CreateOcrInstance(const std::string& model_name,
                                                           const ParameterMap& parameters,
                                                           const std::string& version_dir,
                                                           int64_t decode_classes = -1);

}  // namespace inferd::ocr
