# Sitrep in a container: the shipped data is baked in; imports go to the /store volume.
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV SITREP_STORE=/store/catalog.json SITREP_ALLOW_UPLOAD=none
# two malloc arenas: less memory kept between reruns (see scripts/start.sh)
ENV MALLOC_ARENA_MAX=2
VOLUME /store
EXPOSE 8501
CMD ["streamlit", "run", "dashboard.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
