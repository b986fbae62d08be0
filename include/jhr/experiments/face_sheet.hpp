// jhr/experiments/face_sheet.hpp: a contact sheet of sample faces, one row per face, columns
// LR | bicubic | stand-alone SRNET | Joint Model SRNET | HR.
//
// Every cell is cell_height x cell_width (the cropped HR size); the LR face is enlarged by pixel
// replication (nearest neighbour) to show its true resolution, then its centre is cut to the cell.
// Cells are separated and framed by `gap` white pixels. Values stay in 0..255.
#pragma once

#include "jhr/experiments/table4.hpp"
#include "jhr/io/image.hpp"

namespace jhr::experiments {

inline constexpr int sheet_columns = 5;

// Throws shape_error when there are no samples or a sample's images differ in size from the first HR.
image face_sheet(const std::vector<face_samples>& samples, int gap = 4);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

// `img` enlarged by pixel replication to cover h x w with its centre kept.
inline image replicate_to(const image& img, int h, int w) {
    const int ih = image_height(img), iw = image_width(img);
    const int factor = std::max((h + ih - 1) / ih, (w + iw - 1) / iw);
    const int oy = (ih * factor - h) / 2, ox = (iw * factor - w) / 2;
    image out = make_image(h, w);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c) out(y, x, c) = img((y + oy) / factor, (x + ox) / factor, c);
    return out;
}

} // namespace detail

inline image face_sheet(const std::vector<face_samples>& samples, int gap) {
    if (samples.empty()) throw shape_error("face_sheet: no sample faces");
    const int h = image_height(samples[0].hr), w = image_width(samples[0].hr);
    const int rows = int(samples.size());
    image sheet = make_image(gap + rows * (h + gap), gap + sheet_columns * (w + gap));
    sheet.fill(255.0f);
    for (int r = 0; r < rows; ++r) {
        const face_samples& s = samples[std::size_t(r)];
        const image* cells[sheet_columns] = {nullptr, &s.bicubic, &s.srnet, &s.joint, &s.hr};
        const image lr = detail::replicate_to(s.lr, h, w);
        cells[0] = &lr;
        for (int c = 0; c < sheet_columns; ++c) {
            const image& cell = *cells[c];
            if (image_height(cell) != h || image_width(cell) != w)
                throw shape_error("face_sheet: sample " + std::to_string(r) + " column " + std::to_string(c) +
                                  " is " + std::to_string(image_height(cell)) + "x" +
                                  std::to_string(image_width(cell)) + ", expected " + std::to_string(h) +
                                  "x" + std::to_string(w));
            const int top = gap + r * (h + gap), left = gap + c * (w + gap);
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x)
                    for (int ch = 0; ch < 3; ++ch) sheet(top + y, left + x, ch) = cell(y, x, ch);
        }
    }
    return sheet;
}

} // namespace jhr::experiments
