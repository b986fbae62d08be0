// jhr/eval/svg.hpp: plain SVG line plots for ROC curves and training-loss curves.
//
// line_plot_svg draws named series of (x, y) points as polylines inside framed axes, with tick labels,
// axis titles and a legend (one colour per series, cycling through eight). Output is a complete,
// self-contained SVG document (UTF-8 text, no scripts, no external references); names are XML-escaped.
// Axis ranges cover all points (a flat range is widened by 1). On a logarithmic x axis the range
// spans whole decades from the smallest positive x to the largest; points with x <= 0 are drawn on the
// left edge (a ROC's FAR = 0 start), and ticks sit on the decades.
#pragma once

#include "jhr/core/error.hpp"
#include "jhr/eval/roc.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace jhr::eval {

struct plot_series {
    std::string name;
    std::vector<double> x;
    std::vector<double> y;
};

struct plot_layout {
    std::string title;
    std::string x_label;
    std::string y_label;
    bool log_x = false;
    bool log_y = false; // decades from the smallest to the largest positive y; y <= 0 sits on the floor
    int width = 640;
    int height = 480;
};

// Throws shape_error when a series has x and y of different lengths or no points; jhr::error on a
// non-finite coordinate, or when log_x (log_y) is set and no x (y) is positive.
inline std::string line_plot_svg(const std::vector<plot_series>& series, const plot_layout& layout);

struct named_roc {
    std::string name;
    std::vector<roc_point> curve;
};

// TAR against FAR; log_far puts FAR on a logarithmic axis (where TAR at FAR 0.1% can be read).
inline std::string roc_svg(const std::vector<named_roc>& curves, bool log_far = false);

struct loss_series {
    std::string name;
    std::vector<double> iterations;
    std::vector<double> values;
};

// Loss against iteration on a log y-axis (heads' losses differ by orders of magnitude); linear when
// no value is positive.
inline std::string loss_svg(const std::vector<loss_series>& series,
                            const std::string& title = "Training loss");

// ---------------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------------

namespace detail {

inline std::string xml_escape(const std::string& text) {
    std::string escaped;
    for (char c : text) {
        switch (c) {
        case '&':
            escaped += "&amp;";
            break;
        case '<':
            escaped += "&lt;";
            break;
        case '>':
            escaped += "&gt;";
            break;
        case '"':
            escaped += "&quot;";
            break;
        default:
            escaped += c;
        }
    }
    return escaped;
}

inline std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
}

} // namespace detail

inline std::string line_plot_svg(const std::vector<plot_series>& series, const plot_layout& layout) {
    double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
    double y_min = x_min, y_max = -x_min;
    for (const plot_series& s : series) {
        if (s.x.size() != s.y.size() || s.x.empty()) {
            throw shape_error(where("line_plot_svg: series \"" + s.name + "\" has " +
                                    std::to_string(s.x.size()) + " x and " + std::to_string(s.y.size()) +
                                    " y values; need equal, non-zero"));
        }
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
                throw error(where("line_plot_svg: series \"" + s.name + "\" point " + std::to_string(i) +
                                  " is not finite"));
            }
            if (!layout.log_x || s.x[i] > 0.0)
                x_min = std::min(x_min, s.x[i]), x_max = std::max(x_max, s.x[i]);
            if (!layout.log_y || s.y[i] > 0.0)
                y_min = std::min(y_min, s.y[i]), y_max = std::max(y_max, s.y[i]);
        }
    }
    if (!std::isfinite(x_min) || !std::isfinite(y_min))
        throw error(where("line_plot_svg: nothing to plot (no points, or none positive on a log axis)"));
    const auto decades = [](double& low, double& high) {
        low = std::pow(10.0, std::floor(std::log10(low)));
        high = std::pow(10.0, std::ceil(std::log10(high)));
    };
    if (layout.log_x) decades(x_min, x_max);
    if (layout.log_y) decades(y_min, y_max);
    if (x_max <= x_min) x_max = layout.log_x ? x_min * 10.0 : x_min + 1.0;
    if (y_max <= y_min) y_max = layout.log_y ? y_min * 10.0 : y_min + 1.0;

    const double left = 70, right = 160, top = 40, bottom = 60;
    const double plot_w = layout.width - left - right, plot_h = layout.height - top - bottom;
    const auto x_fraction = [&](double x) {
        if (!layout.log_x) return (x - x_min) / (x_max - x_min);
        return x <= 0.0 ? 0.0 : (std::log10(x) - std::log10(x_min)) / (std::log10(x_max) - std::log10(x_min));
    };
    const auto px = [&](double x) { return left + plot_w * x_fraction(x); };
    const auto y_fraction = [&](double y) {
        if (!layout.log_y) return (y - y_min) / (y_max - y_min);
        return y <= 0.0 ? 0.0 : (std::log10(y) - std::log10(y_min)) / (std::log10(y_max) - std::log10(y_min));
    };
    const auto py = [&](double y) { return top + plot_h * (1.0 - y_fraction(y)); };
    using detail::number;

    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(layout.width) +
                      "\" height=\"" + std::to_string(layout.height) +
                      "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    svg += "<text class=\"title\" x=\"" + number(left + plot_w / 2) +
           "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">" + detail::xml_escape(layout.title) +
           "</text>\n";
    svg += "<rect class=\"frame\" x=\"" + number(left) + "\" y=\"" + number(top) + "\" width=\"" +
           number(plot_w) + "\" height=\"" + number(plot_h) + "\" fill=\"none\" stroke=\"black\"/>\n";

    std::vector<double> x_ticks, y_ticks;
    if (layout.log_x) {
        for (double t = x_min; t <= x_max * 1.0000001; t *= 10.0) x_ticks.push_back(t);
    } else {
        for (int i = 0; i <= 5; ++i) x_ticks.push_back(x_min + (x_max - x_min) * i / 5.0);
    }
    if (layout.log_y) {
        for (double t = y_min; t <= y_max * 1.0000001; t *= 10.0) y_ticks.push_back(t);
    } else {
        for (int i = 0; i <= 5; ++i) y_ticks.push_back(y_min + (y_max - y_min) * i / 5.0);
    }
    for (double t : x_ticks) {
        svg += "<line class=\"tick\" x1=\"" + number(px(t)) + "\" y1=\"" + number(top + plot_h) + "\" x2=\"" +
               number(px(t)) + "\" y2=\"" + number(top + plot_h + 5) +
               "\" stroke=\"black\"/><text class=\"tick-label\" x=\"" + number(px(t)) + "\" y=\"" +
               number(top + plot_h + 18) + "\" text-anchor=\"middle\">" + number(t) + "</text>\n";
    }
    for (double t : y_ticks) {
        svg += "<line class=\"tick\" x1=\"" + number(left - 5) + "\" y1=\"" + number(py(t)) + "\" x2=\"" +
               number(left) + "\" y2=\"" + number(py(t)) +
               "\" stroke=\"black\"/><text class=\"tick-label\" x=\"" + number(left - 8) + "\" y=\"" +
               number(py(t) + 4) + "\" text-anchor=\"end\">" + number(t) + "</text>\n";
    }
    svg += "<text class=\"x-label\" x=\"" + number(left + plot_w / 2) + "\" y=\"" +
           number(layout.height - 15.0) + "\" text-anchor=\"middle\">" + detail::xml_escape(layout.x_label) +
           "</text>\n";
    svg += "<text class=\"y-label\" x=\"18\" y=\"" + number(top + plot_h / 2) +
           "\" text-anchor=\"middle\" transform=\"rotate(-90 18 " + number(top + plot_h / 2) + ")\">" +
           detail::xml_escape(layout.y_label) + "</text>\n";

    static constexpr std::array<const char*, 8> colours = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                           "#9467bd", "#8c564b", "#e377c2", "#17becf"};
    for (std::size_t k = 0; k < series.size(); ++k) {
        const std::string colour = colours[k % colours.size()];
        std::string points;
        for (std::size_t i = 0; i < series[k].x.size(); ++i) {
            if (i > 0) points += ' ';
            points += number(px(series[k].x[i])) + "," + number(py(series[k].y[i]));
        }
        svg += "<polyline class=\"series\" fill=\"none\" stroke=\"" + colour +
               "\" stroke-width=\"1.5\" points=\"" + points + "\"/>\n";
        const double legend_y = top + 10 + 18.0 * static_cast<double>(k);
        svg += "<line class=\"legend\" x1=\"" + number(left + plot_w + 10) + "\" y1=\"" + number(legend_y) +
               "\" x2=\"" + number(left + plot_w + 30) + "\" y2=\"" + number(legend_y) + "\" stroke=\"" +
               colour + "\" stroke-width=\"2\"/><text class=\"legend-label\" x=\"" +
               number(left + plot_w + 35) + "\" y=\"" + number(legend_y + 4) + "\">" +
               detail::xml_escape(series[k].name) + "</text>\n";
    }
    return svg + "</svg>\n";
}

inline std::string roc_svg(const std::vector<named_roc>& curves, bool log_far) {
    std::vector<plot_series> series;
    for (const named_roc& c : curves) {
        plot_series s{c.name, {}, {}};
        for (const roc_point& p : c.curve) s.x.push_back(p.far), s.y.push_back(p.tar);
        series.push_back(std::move(s));
    }
    return line_plot_svg(series, {"ROC", log_far ? "False accept rate (log scale)" : "False accept rate",
                                  "True accept rate", log_far});
}

inline std::string loss_svg(const std::vector<loss_series>& series, const std::string& title) {
    std::vector<plot_series> plotted;
    for (const loss_series& s : series) plotted.push_back({s.name, s.iterations, s.values});
    const bool positive = std::any_of(series.begin(), series.end(), [](const loss_series& s) {
        return std::any_of(s.values.begin(), s.values.end(), [](double v) { return v > 0.0; });
    });
    return line_plot_svg(plotted,
                         {title, "Iteration", positive ? "Loss (log scale)" : "Loss", false, positive});
}

} // namespace jhr::eval
