// jhr/train/inputs.hpp: turns a loaded batch into the tensors a setting trains or tests on.
//
// input:  what the network receives (LR upscaled for srnet/joint; cropped HR or LR, or a fixed
//         SRNET's output, for the FRNET-only settings),
// target: the centre-cropped HR face, the pixel loss's target (unused by FRNET-only settings).
// A batch whose HR faces the loader cut already (loader_options::hr_border = the border) is copied
// as it is: that keeps the crop off the training thread.
#pragma once

#include "jhr/data/loader.hpp"
#include "jhr/models/srnet.hpp"
#include "jhr/train/setting.hpp"

namespace jhr {

template <Backend B>
class input_preparer {
public:
    // `hallucinator` is required for setting::hallucinated and must outlive this object.
    input_preparer(jhr::setting s, int border, srnet<B>* hallucinator = nullptr)
        : setting_(s), border_(border), hallucinator_(hallucinator) {
        if (s == setting::hallucinated && !hallucinator)
            throw error("setting 'hallucinated' needs a trained stand-alone SRNET (--srnet-checkpoint)");
    }

    void operator()(const data::face_batch& batch, tensor<B>& input, tensor<B>& target) {
        switch (setting_) {
        case setting::srnet:
        case setting::joint:
            input.assign(batch.lr);
            assign_cropped(target, batch.hr, hr_crop(batch));
            break;
        case setting::hr:
            assign_cropped(input, batch.hr, hr_crop(batch));
            break;
        case setting::lr:
            input.assign(crop_border(batch.lr, border_));
            break;
        case setting::hallucinated:
            lr_.assign(batch.lr);
            input.copy_from(hallucinator_->forward(lr_));
            break;
        }
    }
    jhr::setting setting() const { return setting_; }

private:
    // The pixels still to cut from each side of batch.hr.
    int hr_crop(const data::face_batch& batch) const {
        if (batch.hr_border > border_)
            throw shape_error("input_preparer: the batch's HR faces lost " + std::to_string(batch.hr_border) +
                              " px per side, more than the border " + std::to_string(border_));
        return border_ - batch.hr_border;
    }
    static void assign_cropped(tensor<B>& t, const host_tensor& x, int border) {
        if (border == 0)
            t.assign(x);
        else
            t.assign(crop_border(x, border));
    }

    jhr::setting setting_;
    int border_;
    srnet<B>* hallucinator_;
    tensor<B> lr_;
};

} // namespace jhr
