"""Every chart, one module per lesson (dot_products, projections, context, trace, learning), the
shared look (style) and the two Plotly views (plotly). Each ``*_chart(df, ...)`` builds from a tidy
frame and computes nothing."""
