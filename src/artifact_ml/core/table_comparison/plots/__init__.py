"""Figures of the table-comparison toolkit, built as ``matplotlib.figure.Figure`` objects.

No function here touches pyplot, so a figure is never registered in pyplot's global state: it is
freed once its last reference goes, and ``plt.get_fignums()`` stays empty.
"""
