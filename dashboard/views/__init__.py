"""The dashboard's pages, one module each; every one has ``render(filters)``. app.py wires them
into the navigation (titles and URLs live there).

Not named ``pages/``: Streamlit treats a ``pages/`` folder beside the entry script as the old
multipage layout and would serve each file as a page of its own until ``st.navigation`` runs.
"""
